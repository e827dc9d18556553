/** Errors of the file storage (data dir). Each names the path involved, so a human can act on it. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Another live broker process holds the data dir. */
export class DataDirLockedError extends StorageError {
  constructor(
    path: string,
    readonly holderPid: number,
  ) {
    super(`data dir is in use by process ${holderPid} (lock file ${path}); stop that broker or delete the lock file if it is stale`, path);
    this.name = 'DataDirLockedError';
  }
}

/**
 * The data dir holds something recovery must not guess about (e.g. segments
 * whose offsets overlap). Torn tails are repaired silently instead; this is
 * for damage that cutting a tail cannot explain.
 */
export class StorageCorruptionError extends StorageError {
  constructor(message: string, path: string) {
    super(message, path);
    this.name = 'StorageCorruptionError';
  }
}
