import type { AdmissionDecision } from '../admission/types.js';
import { ClusterUnavailableError } from '../kube/cluster-state.js';
import { finding, formatFindings, type Finding, type RuleId } from './rules.js';

// How the gate's verdicts become AdmissionDecisions: `reason` is the first rule ID on a denial
// (a metric label), the message lists every finding.

/** Reasons of allowed decisions. */
export type AllowReason = 'compliant' | 'not-strict' | 'not-gated' | 'preexisting-violations';

// Malformed input is a 400; a policy refusal a 403.
const INVALID_INPUT: ReadonlySet<RuleId> = new Set<RuleId>(['MW-POLICY-003', 'MW-AUTHZ-001', 'MW-NS-001', 'MW-GATE-003']);

export function allow(reason: AllowReason, warnings: readonly string[] = []): AdmissionDecision {
  return warnings.length > 0 ? { allowed: true, reason, warnings: [...warnings] } : { allowed: true, reason };
}

export function deny(findings: readonly Finding[], warnings: readonly string[] = []): AdmissionDecision {
  const first = findings[0]!;
  const decision: AdmissionDecision = {
    allowed: false,
    reason: first.rule,
    message: formatFindings(findings),
    code: findings.every((f) => INVALID_INPUT.has(f.rule)) ? 400 : 403,
  };
  return warnings.length > 0 ? { ...decision, warnings: [...warnings] } : decision;
}

/** Fail closed: the API server could not be read where STRICT may be at stake. */
export function denyUnavailable(field: string, what: string, err: ClusterUnavailableError): AdmissionDecision {
  return deny([
    finding(
      'MW-GATE-001',
      field,
      `the API server could not be read (${err.message}), so meshward cannot tell whether ${what} is safe and refuses it (fail closed)`,
    ),
  ]);
}

/** Runs a cluster read; a ClusterUnavailableError comes back as a value, anything else throws. */
export async function tryRead<T>(read: () => Promise<T>): Promise<T | ClusterUnavailableError> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ClusterUnavailableError) return err;
    throw err;
  }
}
