/** Waiting for a condition in the cross-package tests, with a deadline instead of a timing assertion. */

/**
 * Resolves once `condition` holds, checking every `intervalMs`; fails naming `what` after
 * `timeoutMs`.
 */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
