import {
  doctorExitCode,
  formatReportJson,
  formatReportText,
} from '../doctor/format-report.js';
import { chooseHypervisor } from '../doctor/choose-hypervisor.js';
import type { HypervisorChoice } from '../doctor/doctor-types.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { createLogger } from '../lib/logger.js';

/** `firelab doctor`: one line per check, and what to fix. */
export async function runDoctorCommand(opts: {
  json?: boolean;
  hypervisor: HypervisorChoice;
  cacheDir: string;
  firecrackerBin?: string;
  jailerBin?: string;
}): Promise<void> {
  const report = await runDoctor({
    ...opts,
    log: createLogger({ level: 'warn' }),
  });
  const choice = chooseHypervisor(report, opts.hypervisor);
  if (opts.json) {
    const body = JSON.parse(formatReportJson(report)) as object;
    console.log(JSON.stringify({ ...body, hypervisor: choice }, null, 2));
  } else {
    console.log(formatReportText(report));
    console.log(`hypervisor: ${choice.hypervisor} (${choice.why})`);
  }
  process.exitCode = doctorExitCode(report);
}
