// The build failed on the misspelled layer, with the spec's file, line and column, no stack trace.
def log = new File(basedir, 'build.log').text
assert log =~ /bad\.yaml:8:\d+: error: / : 'no file:line:col: error: message in build.log'
assert !(log =~ /\tat dev\.netspec\./) : 'a stack trace leaked into the build log'
assert !new File(basedir, 'target/generated-sources/netspec').exists() : 'a failed run wrote sources'
return true
