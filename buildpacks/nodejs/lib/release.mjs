// Prints the default web process: `npm start` when package.json has a start script, else
// `node <main>` (or server.js, as npm start itself would).
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

const buildDir = process.argv[2]
const pkg = JSON.parse(readFileSync(join(buildDir, 'package.json'), 'utf8'))
let web
if (pkg.scripts?.start) web = 'npm start'
else if (typeof pkg.main === 'string' && existsSync(join(buildDir, pkg.main))) web = `node ${JSON.stringify(pkg.main)}`
else if (existsSync(join(buildDir, 'server.js'))) web = 'node server.js'
else if (existsSync(join(buildDir, 'index.js'))) web = 'node index.js'

process.stdout.write('---\naddons: []\n')
process.stdout.write(web === undefined ? 'default_process_types: {}\n' : `default_process_types:\n  web: ${JSON.stringify(web)}\n`)
