// CPU time of every process on this machine, grouped by kind (Chromium renderer, Chromium's
// browser and utility processes, node, anvil, workerd…), read from Linux's /proc. The e2e network
// runs everything on one machine's cores, so where a burst's CPU goes says what bounds its
// throughput. Elsewhere than Linux the reading is empty.
import { readdirSync, readFileSync } from 'node:fs'

/** CPU milliseconds (user + system) per process id, with the process's kind. */
export type CpuReading = Map<number, { kind: string; cpuMs: number }>

const CHROMIUM_TYPES = ['renderer', 'gpu-process', 'utility', 'zygote'] as const
const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux this runs on

function kindOf(comm: string, commandLine: string): string {
  const type = CHROMIUM_TYPES.find((t) => commandLine.includes(`--type=${t}`))
  if (type !== undefined) return `chromium ${type}`
  return comm
}

export function readProcessCpu(): CpuReading {
  const reading: CpuReading = new Map()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return reading
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // the command name is in parentheses and may itself contain spaces or parentheses
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      reading.set(Number(pid), { kind: kindOf(comm, commandLine), cpuMs: (ticks * 1000) / TICKS_PER_SECOND })
    } catch {
      // the process ended while we read
    }
  }
  return reading
}

/** CPU milliseconds spent between two readings per process kind, divided by `per`, largest first. */
export function cpuByKind(before: CpuReading, after: CpuReading, per = 1): Record<string, number> {
  const byKind = new Map<string, number>()
  for (const [pid, { kind, cpuMs }] of after) {
    const spent = cpuMs - (before.get(pid)?.cpuMs ?? 0)
    if (spent > 0) byKind.set(kind, (byKind.get(kind) ?? 0) + spent)
  }
  return Object.fromEntries(
    [...byKind]
      .map(([kind, ms]) => [kind, Math.round(ms / per)] as const)
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1]),
  )
}
