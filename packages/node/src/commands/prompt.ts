// Prompts shared by the chain tool commands (`wisp deploy | keystore | operator`): a passphrase from
// a file, the environment or a terminal without echo, and "send? [y/N]". Keys and passphrases never
// come from a flag value: the command line shows in `ps` and in the shell's history.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { NodeError } from '../errors.js'
import type { ToolIo } from '../tool-io.js'

export interface PassphraseOptions {
  /** what the passphrase is for, in the prompt and the errors: "the keystore wallet.json" */
  purpose: string
  /** ask twice on a terminal and compare (a new keystore) */
  confirm?: boolean
  /** --passphrase-file, relative to io.cwd: its first line */
  passphraseFile?: string
  /** the flag name to suggest in errors (default --passphrase-file) */
  fileFlag?: string
}

/** The environment variable a passphrase may come from. */
export const PASSPHRASE_ENV = 'WISP_PASSPHRASE'

/**
 * A passphrase: from `--passphrase-file` (first line), else `WISP_PASSPHRASE`, else asked on a TTY
 * without echo. On a non-TTY stdin without either, a NODE_BAD_KEY error saying how to give it.
 */
export async function readPassphrase(io: ToolIo, options: PassphraseOptions): Promise<string> {
  const flag = options.fileFlag ?? '--passphrase-file'
  if (options.passphraseFile !== undefined) {
    const path = resolve(io.cwd, options.passphraseFile)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (cause) {
      throw new NodeError(
        'NODE_BAD_FLAGS',
        `${flag} ${options.passphraseFile}: cannot read it (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`,
        { cause },
      )
    }
    const line = text.split(/\r?\n/)[0] ?? ''
    if (line === '')
      throw new NodeError('NODE_BAD_KEY', `${flag} ${options.passphraseFile}: its first line is empty`)
    return line
  }
  const fromEnv = io.env[PASSPHRASE_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!io.stdin.isTTY || typeof io.stdin.setRawMode !== 'function')
    throw new NodeError(
      'NODE_BAD_KEY',
      `${options.purpose} needs a passphrase: give ${flag} <file> or set ${PASSPHRASE_ENV} (stdin is not a terminal to ask on)`,
    )
  const first = await readHiddenLine(io, `passphrase for ${options.purpose}: `)
  if (first === '') throw new NodeError('NODE_BAD_KEY', `the passphrase for ${options.purpose} is empty`)
  if (options.confirm) {
    const again = await readHiddenLine(io, 'the same passphrase again: ')
    if (again !== first)
      throw new NodeError('NODE_BAD_KEY', `the two passphrases for ${options.purpose} differ`)
  }
  return first
}

/**
 * "question [y/N]" → true only on y/yes. `yes` answers without asking (--yes). On a non-TTY stdin
 * the answer is read from it like any line (a script may pipe "y"); its end means no.
 */
export async function confirm(
  io: ToolIo,
  question: string,
  options: { yes?: boolean } = {},
): Promise<boolean> {
  if (options.yes) return true
  const answer = await askLine(io, `${question} [y/N] `)
  return /^y(es)?$/i.test(answer?.trim() ?? '')
}

/** confirm(), and NODE_ABORTED ("nothing was sent") when the answer is not yes. */
export async function confirmOrAbort(
  io: ToolIo,
  question: string,
  options: { yes?: boolean; what?: string } = {},
): Promise<void> {
  if (await confirm(io, question, options)) return
  throw new NodeError('NODE_ABORTED', `${options.what ?? 'nothing was sent'} (answer y, or pass --yes)`)
}

/** One line of stdin after writing `question` to stderr; undefined at stdin's end. */
export async function askLine(io: ToolIo, question: string): Promise<string | undefined> {
  io.stderr.write(question)
  return lineReader(io.stdin).next()
}

/** All of stdin (until its end), for a secret piped in: `cat key.txt | wisp keystore import …`. */
export async function readAllStdin(io: ToolIo): Promise<string> {
  const lines: string[] = []
  const reader = lineReader(io.stdin)
  for (let line = await reader.next(); line !== undefined; line = await reader.next()) lines.push(line)
  return lines.join('\n')
}

// ---- stdin as lines --------------------------------------------------------------------------------

/**
 * Lines of a stream, read only while someone waits for one: between prompts the stream is paused
 * and its listeners removed (so an idle stdin keeps no process alive), and bytes already read stay
 * here for the next prompt (two prompts answered by one piped "y\nn\n" both get their line).
 */
class LineReader {
  #buffer = ''
  #ended = false
  /** the pending next(), woken by data or the end */
  #wake: (() => void) | undefined
  readonly #stream: NodeJS.ReadableStream

  constructor(stream: NodeJS.ReadableStream) {
    this.#stream = stream
    // kept for good: the end can come while no prompt waits (a pipe closed after its last line),
    // and listening for it does not make the stream flow
    stream.once('end', () => {
      this.#ended = true
      this.#wake?.()
    })
    if ((stream as { readableEnded?: boolean }).readableEnded) this.#ended = true
  }

  async next(): Promise<string | undefined> {
    for (;;) {
      const line = this.#take()
      if (line !== null) return line
      if (this.#ended) return undefined
      await this.#more()
    }
  }

  /** Resolves at the next chunk or the end; the stream flows only meanwhile. */
  #more(): Promise<void> {
    return new Promise((resolveMore, reject) => {
      const stream = this.#stream
      const done = () => {
        this.#wake = undefined
        stream.off('data', onData)
        stream.off('error', onError)
        stream.pause()
      }
      const onData = (chunk: Buffer | string) => {
        this.#buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
        done()
        resolveMore()
      }
      const onError = (err: Error) => {
        done()
        reject(new NodeError('NODE_BAD_FLAGS', `stdin: ${err.message}`, { cause: err }))
      }
      this.#wake = () => {
        done()
        resolveMore()
      }
      stream.on('data', onData)
      stream.on('error', onError)
      stream.resume()
    })
  }

  /** A whole line from the buffer, the rest at the stream's end, else null. */
  #take(): string | null {
    const nl = this.#buffer.indexOf('\n')
    if (nl >= 0) {
      const line = this.#buffer.slice(0, nl).replace(/\r$/, '')
      this.#buffer = this.#buffer.slice(nl + 1)
      return line
    }
    if (this.#ended && this.#buffer !== '') {
      const rest = this.#buffer
      this.#buffer = ''
      return rest
    }
    return null
  }
}

const readers = new WeakMap<NodeJS.ReadableStream, LineReader>()

function lineReader(stream: NodeJS.ReadableStream): LineReader {
  let reader = readers.get(stream)
  if (reader === undefined) {
    reader = new LineReader(stream)
    readers.set(stream, reader)
  }
  return reader
}

/** A line typed on a terminal in raw mode, echoing nothing; Ctrl-C aborts, Ctrl-D ends it. */
export function readHiddenLine(io: ToolIo, question: string): Promise<string> {
  const stdin = io.stdin
  io.stderr.write(question)
  stdin.setRawMode?.(true)
  return new Promise((resolveLine, reject) => {
    let typed = ''
    const finish = (err?: Error) => {
      stdin.off('data', onData)
      stdin.setRawMode?.(false)
      stdin.pause()
      io.stderr.write('\n')
      if (err) reject(err)
      else resolveLine(typed)
    }
    const onData = (chunk: Buffer | string) => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish()
        if (ch === '\u0003')
          return finish(new NodeError('NODE_ABORTED', 'interrupted at the passphrase prompt'))
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1)
        else typed += ch
      }
    }
    stdin.on('data', onData)
    stdin.resume()
  })
}
