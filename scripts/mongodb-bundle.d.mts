/** Path of the `mongodb` driver bundled into one CommonJS file for workerd, built when missing or stale. */
export function mongodbBundleForWorkerd(): string;
