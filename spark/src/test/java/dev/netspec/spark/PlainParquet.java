package dev.netspec.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Reads the {@code array<float>} column of the Parquet files Spark wrote, without Spark:
 * parquet-mr's column reader (the library under every Parquet reader on the JVM) straight
 * into the caller's float array, row by row, with no objects per row or per value. The peer
 * of a Spark scan of the same files for {@link SparkThroughput}.
 */
final class PlainParquet {
  /** What receives the rows: each row's floats go into {@link #buffer()} from {@link #nextRow}. */
  interface Sink {
    /** Where the next row goes: its offset in {@link #buffer()}. */
    int nextRow();

    /** The array the current row is written into (asked after each {@link #nextRow()}). */
    float[] buffer();
  }

  private PlainParquet() {}

  /** The data files of a directory Spark wrote, in name order. */
  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /**
   * Reads column {@code column} (an {@code array<float>} without nulls) of every row of
   * {@code file} into {@code sink}, {@code width} floats a row; returns the rows read.
   */
  static long read(Path file, String column, int width, Sink sink) throws IOException {
    Configuration conf = new Configuration(false);
    long rows = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      ColumnDescriptor values = schema.getColumns().stream()
          .filter(c -> c.getPath()[0].equals(column)).findFirst().orElseThrow();
      int full = values.getMaxDefinitionLevel();
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        ColumnReader in = new ColumnReadStoreImpl(pages,
            new GroupRecordConverter(schema).getRootConverter(), schema, createdBy)
            .getColumnReader(values);
        // Row by row (the row group's row count): a row is the values up to the next one
        // starting (repetition level 0), which the reader also reports once all are read.
        for (long r = pages.getRowCount(); r > 0; r--) {
          int at = sink.nextRow();
          float[] dst = sink.buffer();
          rows++;
          for (int j = 0; j < width; j++) {
            if ((j > 0 && in.getCurrentRepetitionLevel() == 0)
                || in.getCurrentDefinitionLevel() != full) {
              throw new IOException(file + ": row " + rows + " is not " + width + " floats");
            }
            dst[at + j] = in.getFloat();
            in.consume();
          }
          if (in.getCurrentRepetitionLevel() != 0) {
            throw new IOException(file + ": row " + rows + " has more than " + width
                + " floats");
          }
        }
      }
    }
    return rows;
  }
}
