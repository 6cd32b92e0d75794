// The first build generated; the second saw the same spec, settings and generator, and
// regenerated nothing (the log holds both builds).
def log = new File(basedir, 'build.log').text
assert log.count('netspec: generated 1 class from 1 spec') == 1 : 'expected one generating build'
assert log.contains('netspec: 1 spec unchanged, nothing to regenerate') : 'second build regenerated'
assert new File(basedir, 'target/generated-sources/netspec/com/example/models/Mlp.java').isFile()
def states = new File(basedir, 'target/netspec').listFiles().findAll { it.name.endsWith('.state') }
assert states.size() == 1 : "expected one digest file, found ${states}"
return true
