/**
 * The suppression list as one SQL predicate, for the statements that must test it inside
 * themselves (reservation, the claim before SMTP, enrolment, status changes): no window between
 * the check and the write.
 */

/** SQL true when `email` (stored lower-cased) or its domain is on workspace `workspaceId`'s list. */
export function onSuppressionList(email: string, workspaceId: string): string {
  return `EXISTS (SELECT 1 FROM suppressions x WHERE x.workspace_id = ${workspaceId}
    AND ((x.kind = 'email' AND x.value = ${email})
      OR (x.kind = 'domain' AND x.value = substr(${email}, instr(${email}, '@') + 1))))`;
}
