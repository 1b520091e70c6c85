import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Who listens where, read from /proc as `ss -ltnp` reads it, so it works on any Linux with
 * nothing installed.
 */
export interface ListeningSocket {
  /** As the kernel holds it: `127.0.0.1`, `0.0.0.0` (every IPv4 address), `::` (every address), `::1`… */
  address: string;
  port: number;
  inode: number;
}

/** /proc/net/tcp state 0A: LISTEN. */
const LISTEN = '0A';

/** Every TCP socket listening in this network namespace, IPv4 (/proc/net/tcp) and IPv6 (tcp6). */
export function listeningSockets(): ListeningSocket[] {
  return ['tcp', 'tcp6'].flatMap((table) =>
    readFileSync(`/proc/net/${table}`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === LISTEN)
      .map((fields) => {
        const [address = '', port = ''] = fields[1]!.split(':');
        return {
          address: kernelAddress(address),
          port: parseInt(port, 16),
          inode: Number(fields[9]),
        };
      }),
  );
}

/** /proc writes an address as 32-bit words in the host's byte order: 0100007F is 127.0.0.1 here. */
function kernelAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => {
    const wordBytes = [...Buffer.from(word, 'hex')];
    return endianness() === 'LE' ? wordBytes.reverse() : wordBytes;
  });
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16),
  );
  // The URL parser writes an IPv6 address in its canonical, shortest form.
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** A process and every process it started, and they started, as long as they run. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // `pid (command) state ppid …`; the command may itself hold spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** The inodes of the sockets these processes hold open (/proc/<pid>/fd → `socket:[inode]`). */
export function socketInodes(pids: number[]): Set<number> {
  const inodes = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited meanwhile
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) inodes.add(Number(inode));
      } catch {
        // closed meanwhile
      }
    }
  }
  return inodes;
}
