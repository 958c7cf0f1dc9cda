/**
 * The live status page: static HTML whose script polls /status?t=json every
 * second and redraws. Its magic-folders section follows the server-sent
 * events of /api/magic-folders/events instead (the EventSource sends the
 * page's HttpOnly token cookie; same origin, so the CSP's default-src 'self'
 * lets it connect). Everything from the node (club names come from other
 * people's rosters, file and participant names from other people's folders)
 * goes into the page as text, never as HTML.
 */
import { STATUS_PAGE_BODY } from './status-page-body.js'
import { STATUS_PAGE_MAGIC_SCRIPT } from './status-page-magic-script.js'
import { STATUS_PAGE_SCRIPT } from './status-page-script.js'
import { STATUS_PAGE_CSS } from './status-page-style.js'

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lafs-club node</title>
<style>
${STATUS_PAGE_CSS}</style>
</head>
<body>
${STATUS_PAGE_BODY}<script>
${STATUS_PAGE_SCRIPT}
${STATUS_PAGE_MAGIC_SCRIPT}</script>
</body>
</html>
`
