// The Homebrew formula, as Homebrew packages Node.js CLIs: npm installs the npm tarball into
// libexec and bin/heroku links to it. Written by scripts/pack.mjs with the tarball's url and sha256.
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

/** Writes the formula to `file`; returns its path. */
export function writeFormula({file, sha256, url}) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`)
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, `# Written by npm run pack (scripts/homebrew-formula.mjs): change that, not this file.
class HerokuToolbelt < Formula
  desc "Toolbelt for Heroku-style platforms, with a local platform speaking Platform API v3"
  homepage "https://github.com/heroku-toolbelt/heroku-toolbelt"
  url "${url}"
  sha256 "${sha256}"
  license "MIT"

  depends_on "node"

  def install
    # std_npm_args as they are (--ignore-scripts): no dependency needs an install script, and
    # libsql's SQLite comes prebuilt for this platform from the npm registry (@libsql/<platform>)
    system "npm", "install", *std_npm_args
    bin.install_symlink libexec.glob("bin/*")
    # npm installs libsql's SQLite for both C libraries on Linux (neither package names its libc);
    # Homebrew's is glibc, so the musl one would never load
    rm_r libexec.glob("lib/node_modules/heroku-toolbelt/node_modules/@libsql/*-musl*") if OS.linux?
    # oclif's autocomplete writes the completion functions into the CLI's cache dir
    ENV["HEROKU_CACHE_DIR"] = (buildpath/"completion").to_s
    system bin/"heroku", "autocomplete:create"
    bash_completion.install buildpath/"completion/autocomplete/functions/bash/heroku.bash" => "heroku"
    zsh_completion.install buildpath/"completion/autocomplete/functions/zsh/_heroku"
  end

  test do
    assert_match "heroku-toolbelt/#{version}", shell_output("#{bin}/heroku --version")
    assert_match "create a new app", shell_output("#{bin}/heroku apps:create --help")
  end
end
`)
  return file
}
