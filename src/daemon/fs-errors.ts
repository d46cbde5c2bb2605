/** A short, user-facing reason for a failed file operation: "no such file", "permission denied". */
export function describeFsError (err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file'
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'EISDIR': return 'it is a directory'
    case 'ENOTDIR': return 'a parent is not a directory'
    case 'ENOSPC': return 'no space left on device'
    case 'EROFS': return 'read-only file system'
    default: return (err as Error).message
  }
}
