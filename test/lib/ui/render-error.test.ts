// The one error path (src/lib/ui/render-error.ts): each error class's exit code and message, as
// a user and a script see them — expected failures plainly, bugs as bugs.
import {expect} from 'chai'

import {ApiError} from '../../../src/lib/api/api-error.js'
import {normaliseApiUrl} from '../../../src/lib/api/base-url.js'
import {BugError, CancelledError, ExitCode, NotLoggedInError, UsageError, UserError} from '../../../src/lib/errors.js'
import {renderError} from '../../../src/lib/ui/render-error.js'
import {testOutput} from '../../helpers/test-output.js'

function render(error: unknown, {json = false, debug = false} = {}): {code: number, stderr: string} {
  const {out, stderr} = testOutput({json})
  const code = renderError(out, error, {debug})
  return {code, stderr: stderr.text}
}

describe('renderError: error classes, exit codes and messages', () => {
  it('a UserError: its message and hint, exit 1, no bug notice, no stack', () => {
    const {code, stderr} = render(new UserError('That app is gone.', {hint: 'List them with heroku apps.'}))
    expect(code).to.equal(ExitCode.error)
    expect(stderr).to.equal(' ›   Error: That app is gone.\n ›   List them with heroku apps.\n')
  })

  it('a UsageError exits 2, NotLoggedInError 4, a cancelled prompt 130 quietly', () => {
    expect(render(new UsageError('Give an app.')).code).to.equal(ExitCode.usage)
    const auth = render(new NotLoggedInError())
    expect(auth.code).to.equal(ExitCode.auth)
    expect(auth.stderr).to.include('Not logged in.')
    expect(render(new CancelledError())).to.deep.equal({code: ExitCode.cancelled, stderr: ''})
  })

  it('a bad API URL is the user\'s to fix (exit 2 with a hint), not a bug', () => {
    let error: unknown
    try {
      normaliseApiUrl('ftp://x', 'HEROKU_API_URL')
    } catch (error_) {
      error = error_
    }

    expect(error).to.be.instanceOf(UsageError)
    const {code, stderr} = render(error)
    expect(code).to.equal(ExitCode.usage)
    expect(stderr).to.include('HEROKU_API_URL must be an http:// or https:// URL: ftp://x')
    expect(stderr).to.include('e.g. https://api.heroku.com')
    expect(stderr).not.to.include('bug')
  })

  it('an API error keeps the server\'s message and the request id', () => {
    const {code, stderr} = render(new ApiError({status: 404, id: 'not_found', message: "Couldn't find that app.", requestId: 'req-1', method: 'GET', url: 'https://api.example.com/apps/gone'}))
    expect(code).to.equal(ExitCode.error)
    expect(stderr).to.include("Couldn't find that app.")
    expect(stderr).to.include('Request ID: req-1')
  })

  it('a BugError, or anything a bug threw, is an unexpected error: exit 1, report it, stack only with HEROKU_DEBUG', () => {
    for (const error of [new BugError('the release list was empty after a release'), new TypeError('x is undefined')]) {
      const {code, stderr} = render(error)
      expect(code).to.equal(ExitCode.error)
      expect(stderr).to.match(/^ › {3}Error: Unexpected error: /)
      expect(stderr).to.include('This is a bug. Run again with HEROKU_DEBUG=1 for details, and report it.')
      expect(stderr).not.to.include('    at ')
      expect(render(error, {debug: true}).stderr).to.include('    at ')
    }
  })

  it('with --json, errors are JSON on stderr with a stable id', () => {
    expect(JSON.parse(render(new UsageError('Give an app.'), {json: true}).stderr)).to.deep.equal({error: {id: 'usage', message: 'Give an app.'}})
    expect(JSON.parse(render(new BugError('oops'), {json: true}).stderr).error).to.deep.equal({id: 'internal_error', message: 'Unexpected error: oops'})
  })
})
