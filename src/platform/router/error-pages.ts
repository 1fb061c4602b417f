// The router's own responses: Heroku's error codes, each with a small HTML page.

export interface RouterError {
  body: string
  code: string
  desc: string
  status: number
  title: string
}

const error = (code: string, desc: string, status: number, title: string, body: string): RouterError => ({code, desc, status, title, body})

export const H10 = error('H10', 'App crashed', 503, 'Application error', 'An error occurred in the application and your page could not be served. If you are the application owner, check your logs for details: heroku logs --tail')
export const H12 = error('H12', 'Request timeout', 503, 'Application error', 'The application did not respond in time. If you are the application owner, check your logs for details: heroku logs --tail')
export const H13 = error('H13', 'Connection closed without response', 503, 'Application error', 'The application closed the connection without sending a response. If you are the application owner, check your logs for details: heroku logs --tail')
export const H14 = error('H14', 'No web processes running', 503, 'Application error', 'No web dynos are running for this application. If you are the application owner, scale it up: heroku ps:scale web=1')
// H15, H18 and H28 come after the response has started or from a client that stopped sending:
// they are logged and the client's connection closed, their pages never sent.
export const H15 = error('H15', 'Idle connection', 503, 'Application error', 'The application stopped sending its response. If you are the application owner, check your logs for details: heroku logs --tail')
export const H18 = error('H18', 'Server Request Interrupted', 503, 'Application error', 'The application closed the connection before its response was complete. If you are the application owner, check your logs for details: heroku logs --tail')
export const H20 = error('H20', 'App boot timeout', 503, 'Application error', 'The application is starting and did not come up in time. Please try again in a moment.')
export const H28 = error('H28', 'Client Connection Idle', 499, 'Client Connection Idle', 'The client did not send its request in time.')
export const H80 = error('H80', 'Maintenance mode', 503, 'Offline for Maintenance', 'This application is undergoing maintenance right now. Please check back later.')
export const NO_SUCH_APP = error('', 'No such app', 404, 'No such app', 'There is no app configured at that hostname. If you are the application owner, check the app name and its domains: heroku domains')

export function errorPage(e: RouterError): string {
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e.title}</title>
<style>body{font-family:sans-serif;background:#f7f8fb;color:#333;margin:0}main{max-width:36em;margin:15vh auto;padding:2em;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15)}h1{font-size:1.4em}code{color:#79589f}</style>
</head>
<body><main><h1>${e.title}</h1><p>${e.body}</p>${e.code ? `<p><small>${e.code} ${e.desc}</small></p>` : ''}</main></body>
</html>
`
}
