// The spec was generated into target/generated-sources, compiled, and the app's test ran it.
def log = new File(basedir, 'build.log').text
def generated = new File(basedir, 'target/generated-sources/netspec/com/example/models/Mlp.java')
assert generated.isFile() : "missing ${generated}"
assert log.contains('netspec: generated 1 class from 1 spec') : 'no generate summary in build.log'
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0') : 'the app test did not pass'
assert new File(basedir, 'target/classes/com/example/models/Mlp.class').isFile()
return true
