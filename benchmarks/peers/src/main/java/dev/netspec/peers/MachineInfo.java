package dev.netspec.peers;

import jdk.incubator.vector.FloatVector;

/** Prints, as one JSON object, what the JVM sees of the machine: JDK, cores, vector width. */
public final class MachineInfo {
  private MachineInfo() {}

  /**
   * Prints the JSON object.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.printf("{\"java_version\": \"%s\", \"java_vm\": \"%s %s\", \"processors\": %d, "
            + "\"float_lanes\": %d, \"vector_bits\": %d}%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors(),
        FloatVector.SPECIES_PREFERRED.length(), FloatVector.SPECIES_PREFERRED.vectorBitSize());
  }
}
