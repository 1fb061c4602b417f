// The small parsers of the deploy path: Procfile, bin/release YAML, buildpack references.
import {expect} from 'chai'
import {fileURLToPath} from 'node:url'

import {BuildpackError, canonicalBuildpack} from '../../../src/platform/build/buildpacks.js'
import {parseProcfile, ProcfileError} from '../../../src/platform/build/procfile.js'
import {parseReleaseYaml} from '../../../src/platform/build/release-yaml.js'

const SLOW = fileURLToPath(new URL('../fixtures/deploy/buildpacks/slow', import.meta.url))

describe('platform deploys: parsing', () => {
  describe('Procfile', () => {
    it('reads type: command lines, skipping blanks and comments, CRLF or LF', () => {
      expect(parseProcfile('# web first\r\nweb: node server.js --port $PORT\r\n\r\nworker:bin/work  -q\nrelease_phase-2: ./migrate: yes\n')).to.deep.equal({
        web: 'node server.js --port $PORT',
        worker: 'bin/work  -q',
        'release_phase-2': './migrate: yes',
      })
      expect(parseProcfile('')).to.deep.equal({})
    })

    for (const [text, message] of [
      ['web node server.js', 'Procfile line 1: expected "type: command"'],
      ['web: a\n\nweb.1: b', 'Procfile line 3: invalid process type "web.1"'],
      ['web:', 'Procfile line 1: process type web has no command'],
      ['web: a\nweb: b', 'Procfile line 2: process type web is defined twice'],
    ]) {
      it(`refuses ${JSON.stringify(text)} naming the line`, () => {
        expect(() => parseProcfile(text)).to.throw(ProcfileError, message)
      })
    }
  })

  describe('bin/release YAML', () => {
    it('reads default_process_types, plain or quoted, ignoring the other keys', () => {
      const yaml = [
        '---', 'addons:', '  - heroku-postgresql', 'config_vars:', '  A: b', 'default_process_types:',
        '  web: "npm start"', "  worker: node 'w.js'", "  clock: 'a ''b'''", '',
      ].join('\n')
      expect(parseReleaseYaml(yaml).defaultProcessTypes).to.deep.equal({web: 'npm start', worker: "node 'w.js'", clock: "a 'b'"})
      expect(parseReleaseYaml('---\ndefault_process_types: {}\n').defaultProcessTypes).to.deep.equal({})
      expect(parseReleaseYaml('').defaultProcessTypes).to.deep.equal({})
    })
  })

  describe('buildpack references', () => {
    it('maps built-in names and their usual aliases to heroku/<name>', () => {
      for (const alias of ['heroku/nodejs', 'nodejs', 'urn:buildpack:heroku/nodejs', 'https://github.com/heroku/heroku-buildpack-nodejs', 'https://github.com/heroku/heroku-buildpack-nodejs.git']) {
        expect(canonicalBuildpack(alias)).to.deep.equal({url: 'heroku/nodejs', name: 'heroku/nodejs'})
      }

      expect(canonicalBuildpack('heroku-community/static').url).to.equal('heroku/static')
    })

    it('takes a classic buildpack directory as a path or file:// URL', () => {
      expect(canonicalBuildpack(SLOW)).to.deep.equal({url: `file://${SLOW}`, name: `file://${SLOW}`})
      expect(canonicalBuildpack(`file://${SLOW}`).url).to.equal(`file://${SLOW}`)
    })

    it('refuses what it cannot use, saying why', () => {
      expect(() => canonicalBuildpack('https://github.com/x/heroku-buildpack-go')).to.throw(BuildpackError, 'does not download buildpacks')
      expect(() => canonicalBuildpack('heroku/go')).to.throw(BuildpackError, 'Unknown buildpack heroku/go')
      expect(() => canonicalBuildpack('relative/dir')).to.throw(BuildpackError, 'Unknown buildpack')
      expect(() => canonicalBuildpack('/nonexistent')).to.throw(BuildpackError, 'is not a directory')
      expect(() => canonicalBuildpack(fileURLToPath(new URL('.', import.meta.url)))).to.throw(BuildpackError, 'bin/detect is missing')
    })
  })
})
