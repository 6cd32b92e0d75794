// check names each out-of-date file and the command that fixes them, and changes nothing.
def log = new File(basedir, 'build.log').text
assert log.contains('netspec: generated sources are out of date:')
assert log =~ /src.main.java.com.example.models.Alpha\.java \(stale\)/ : 'Alpha.java not named stale'
assert log =~ /src.main.java.com.example.models.Beta\.java \(missing\)/ : 'Beta.java not named missing'
assert log.contains('To fix, run: mvn netspec:generate -Dnetspec.outputDirectory=src')
assert new File(basedir, 'src/main/java/com/example/models/Alpha.java').text.contains('long ago')
assert !new File(basedir, 'src/main/java/com/example/models/Beta.java').exists()
return true
