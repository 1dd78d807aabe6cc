// What a chain tool command (`wisp deploy | keystore | operator`) gets from the process: streams,
// environment and working directory, passed in so tests can run a command in-process.
export interface ToolIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** answers to prompts (passphrases, "send? [y/N]"); a TTY hides typed passphrases */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  env: NodeJS.ProcessEnv
  cwd: string
}
