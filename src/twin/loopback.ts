// Every server the twin starts binds loopback only (127.0.0.0/8 or ::1).
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost';
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) throw new Error(`the twin binds loopback addresses only (127.0.0.0/8, ::1), not ${host}`);
}
