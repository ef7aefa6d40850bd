import { cpus } from 'node:os';

/** CPU time this process has used, user and system, in µs. */
export function processCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** The machine's busy and idle CPU time so far, summed over its cores, in µs. */
export function machineCpuMicros(): { busy: number; idle: number } {
  let busy = 0;
  let idle = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy: busy * 1000, idle: idle * 1000 }; // os.cpus() reports ms
}
