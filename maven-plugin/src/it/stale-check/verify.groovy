// check named each out-of-date file and the command that fixes them; that command fixed them.
def log = new File(basedir, 'build.log').text
assert log.contains('netspec: generated sources are out of date:')
assert log =~ /src.main.java.com.example.models.Alpha\.java \(stale\)/ : 'Alpha.java not named stale'
assert log =~ /src.main.java.com.example.models.Beta\.java \(missing\)/ : 'Beta.java not named missing'
assert log.contains('To fix, run: mvn netspec:generate -Dnetspec.outputDirectory=src/main/java and commit the result.')
assert log.contains('netspec: 2 generated classes in src/main/java are up to date') : 'check did not pass after the fix'
def alpha = new File(basedir, 'src/main/java/com/example/models/Alpha.java').text
assert !alpha.contains('long ago') && alpha.contains('class Alpha')
assert new File(basedir, 'src/main/java/com/example/models/Beta.java').isFile()
return true
