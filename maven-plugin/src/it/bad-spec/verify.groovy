// The build failed on the misspelled layer with the compiler's one-line message, no stack trace.
def log = new File(basedir, 'build.log').text
def message = "bad.yaml:8:9: error: Bad: unknown layer 'linaer'; did you mean 'linear'?"
assert log.contains(message) : "no '${message}' in build.log"
assert log.contains('netspec: 1 error in specs:')
assert !(log =~ /\tat dev\.netspec\./) : 'a stack trace leaked into the build log'
assert !new File(basedir, 'target/generated-sources/netspec').exists() : 'a failed run wrote sources'
assert !new File(basedir, 'target/netspec').exists() : 'a failed run saved digests'
return true
