// The example's validation service: POST /task/validate answers {"data": <approve?>, "error":
// false, "message": null}, as Othentic's attesters (and Wisp's) expect. Port from PORT (4002).
import { createServer } from 'node:http'
import { isValid } from '../task.mjs'

const port = Number(process.env.PORT ?? 4002)

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/task/validate') {
    res.writeHead(404).end()
    return
  }
  let body = ''
  req.on('data', (chunk) => {
    body += chunk
  })
  req.on('end', () => {
    let task
    try {
      task = JSON.parse(body)
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data: null, error: true, message: 'the body is not JSON' }))
      return
    }
    const approved = isValid(task)
    console.log(`validate ${task.proofOfTask?.slice(0, 12)}… → ${approved}`)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ data: approved, error: false, message: null }))
  })
}).listen(port, '0.0.0.0', () => console.log(`validation service on :${port}`))
