import {expect} from 'chai'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {helperCommandFor, installedHeroku, isOurHelper} from '../../../src/lib/git/installed-command.js'

describe('installedHeroku: the stable path of this CLI on PATH', () => {
  let dir: string
  let root: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heroku-installed-'))
    root = join(dir, 'lib', 'heroku-toolbelt')
    mkdirSync(join(root, 'bin'), {recursive: true})
    for (const f of ['run.js', 'heroku']) {
      writeFileSync(join(root, 'bin', f), '#!/bin/sh\n')
      chmodSync(join(root, 'bin', f), 0o755)
    }
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  function binWith(name: string, target: string): string {
    const bin = join(dir, name)
    mkdirSync(bin, {recursive: true})
    symlinkSync(target, join(bin, 'heroku'))
    return bin
  }

  it('is the PATH entry (a link to the standalone launcher or to run.js), not what it links to', () => {
    const other = join(dir, 'other-heroku')
    writeFileSync(other, '#!/bin/sh\n', {mode: 0o755})
    const foreign = binWith('foreign', other) // another heroku earlier on PATH is not this one
    const bin = binWith('bin', join(root, 'bin', 'heroku'))
    expect(installedHeroku(root, {PATH: `${foreign}:${bin}`})).to.deep.equal({installed: true, path: join(bin, 'heroku')})
    const npmBin = binWith('npm-bin', join(root, 'bin', 'run.js'))
    expect(installedHeroku(root, {PATH: npmBin})).to.deep.equal({installed: true, path: join(npmBin, 'heroku')})
  })

  it('ignores relative PATH entries; this copy\'s bin/run.js when none is this CLI', () => {
    binWith('rel', join(root, 'bin', 'run.js'))
    const previous = process.cwd()
    process.chdir(dir)
    try {
      expect(installedHeroku(root, {PATH: 'rel'})).to.deep.equal({installed: false, path: join(root, 'bin', 'run.js')})
    } finally {
      process.chdir(previous)
    }
  })

  it('quotes the path for git, and knows its own helpers', () => {
    expect(helperCommandFor("/opt/it's/bin/heroku")).to.equal(String.raw`!'/opt/it'\''s/bin/heroku' git:credentials`)
    expect(helperCommandFor('heroku')).to.equal('!heroku git:credentials')
    expect(isOurHelper("!'/old/clone/bin/run.js' git:credentials")).to.equal(true)
    expect(isOurHelper('store')).to.equal(false)
  })
})
