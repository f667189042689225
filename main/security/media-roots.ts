/**
 * Checklist: serve local files through a path-checked handler (DESIGN.md §6) — and only the user widens
 * what that handler serves. A folder becomes a media root only through a user action in the main
 * process (the native dialog, a drop, a project the user opened), and never when it is the file
 * system's root, the home folder or one of its ancestors, or a system folder (nor anything inside one).
 */
import os from 'node:os';
import path from 'node:path';

/** Folders that may hold a root inside them but may never be one themselves. */
function exactOnly(home: string): string[] {
  const list = ['/', '/tmp', '/var', '/opt', '/mnt', '/media', '/srv', '/home', '/Users', '/Volumes', '/private'];
  // The home folder and every folder above it: a root there would expose everything the user has.
  for (let p = home; ; p = path.dirname(p)) {
    list.push(p);
    if (path.dirname(p) === p) break;
  }
  return list;
}

/** System folders: neither they nor anything inside them is ever a root. */
const SYSTEM_FOLDERS = [
  '/etc',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/boot',
  '/dev',
  '/proc',
  '/sys',
  '/run',
  '/root',
  '/snap',
  '/System',
  '/Library',
  '/Applications',
  '/private/etc',
  '/private/var',
  '/var/lib',
  '/var/log',
  '/var/run',
];

function windowsSystemFolders(): string[] {
  const env = process.env;
  return [env.SystemRoot, env.windir, env.ProgramFiles, env['ProgramFiles(x86)'], env.ProgramData].filter(
    (p): p is string => Boolean(p),
  );
}

function same(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function within(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Why a folder may not be a media root, or null when it may. `home` is injectable for tests. */
export function forbiddenRootReason(folder: string, home = os.homedir()): string | null {
  if (!path.isAbsolute(folder)) return 'it is not an absolute path';
  const p = path.resolve(folder);
  if (path.parse(p).root === p) return 'it is the root of a drive';
  if (exactOnly(path.resolve(home)).some((x) => same(x, p))) {
    return 'it is the home folder or a folder holding many users’ files';
  }
  const system = [...SYSTEM_FOLDERS, ...windowsSystemFolders()];
  if (system.some((s) => within(s, p) || same(s, p))) return 'it is a system folder';
  return null;
}
