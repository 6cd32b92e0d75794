// The first build generated all three classes; after the imported file changed, the second
// regenerated it and its importer (whose class now reads 32 features) and not the unrelated
// spec, whose class kept the date step 2 gave it.
def log = new File(basedir, 'build.log').text
assert log.contains('netspec: generated 3 classes from 3 specs') : 'first build did not generate all'
assert log.contains('netspec: 2 of 3 specs changed (common/blocks.yaml, net.yaml): generated 2 classes into target/generated-sources/netspec (2 written, 0 up to date)') : 'second build did not regenerate the importer alone'
def gen = new File(basedir, 'target/generated-sources/netspec/com/example')
def year2000 = new GregorianCalendar(2000, Calendar.JANUARY, 2).timeInMillis
assert new File(gen, 'models/Other.java').lastModified() < year2000 : 'the unrelated spec was regenerated'
assert new File(gen, 'models/Net.java').lastModified() > year2000 : 'the importer was not regenerated'
assert new File(gen, 'common/Encoder.java').lastModified() > year2000 : 'the imported file was not regenerated'
assert new File(gen, 'models/Net.java').text.contains('new Linear(32, 4') : 'the importer does not read the new width'
assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : 'NetTest did not pass'
return true
