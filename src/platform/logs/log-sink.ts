// Where every part of the platform sends log lines: dyno output, router lines, build output and
// platform events. The log router (this folder) implements it; builds, dynos and the router write
// to it without knowing who reads.

export interface LogLine {
  appId: string
  /** web.1, worker.2, run.4521, router, api, build, scheduler … */
  dyno: string
  message: string
  /** `app` for what the app and its builds write, `heroku` for the platform's own lines */
  source: 'app' | 'heroku'
  /** defaults to now */
  time?: Date
}

export interface LogSink {
  write(line: LogLine): void
}
