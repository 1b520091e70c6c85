/**
 * A real Kubernetes API server for validating manifests, with nothing else of a cluster: etcd
 * and kube-apiserver on 127.0.0.1, no nodes, no controllers, so no pod ever runs. What
 * `kubectl apply --dry-run=server` needs is all there: strict decoding, defaulting, validation
 * and admission (PodSecurity included).
 *
 * Everything it needs is made at start in a temporary folder and removed at stop: etcd's
 * data, the service-account signing key pair, a random bearer token for the one (admin)
 * user, the kubeconfig. The ports are outside the Sightline stack's (K8S_CHECK_PORTS) and
 * must be free.
 */
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { k8sTools } from '../../infra/k8s/tools.ts';

export const K8S_CHECK_PORTS = { etcdClient: 12379, etcdPeer: 12380, apiserver: 16443 };

export interface ApiServer {
  kubeconfig: string;
  /** Runs the pinned kubectl against this server; resolves with its output either way. */
  kubectl(
    args: string[],
    stdin?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

async function assertFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', () =>
      reject(new Error(`port ${port} on 127.0.0.1 is taken; the API server check needs it`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function start(command: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    return spawn(command, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it passes, failing with the log's tail if `child` dies or time runs out. */
async function waitUntil(
  what: string,
  child: ChildProcess,
  log: string,
  check: () => Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  throw new Error(`${what} did not become ready; last lines of ${log}:\n${tail}`);
}

export async function startApiServer(): Promise<ApiServer> {
  const tools = k8sTools();
  const ports = K8S_CHECK_PORTS;
  for (const port of Object.values(ports)) await assertFree(port);
  const dir = mkdtempSync(join(tmpdir(), 'sightline-apiserver-'));
  const processes: ChildProcess[] = [];
  const stop = async () => {
    for (const child of processes.reverse()) await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const etcdLog = join(dir, 'etcd.log');
    const etcd = start(
      tools.etcd,
      [
        '--name=check',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=check=http://127.0.0.1:${ports.etcdPeer}`,
        // Throwaway data: nothing is worth an fsync.
        '--unsafe-no-fsync',
      ],
      etcdLog,
    );
    processes.push(etcd);
    await waitUntil('etcd', etcd, etcdLog, async () => {
      const response = await fetch(`http://127.0.0.1:${ports.etcdClient}/health`);
      return ((await response.json()) as { health?: string }).health === 'true';
    });

    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = join(dir, 'sa.key');
    const saPub = join(dir, 'sa.pub');
    writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
    const token = randomBytes(32).toString('hex');
    const tokens = join(dir, 'tokens.csv');
    writeFileSync(tokens, `${token},check-admin,check-admin,"system:masters"\n`, { mode: 0o600 });
    const certDir = join(dir, 'certs');

    const apiLog = join(dir, 'kube-apiserver.log');
    const apiserver = start(
      tools.kubeApiserver,
      [
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
        // A self-signed serving certificate for 127.0.0.1, made on start.
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokens}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
      ],
      apiLog,
    );
    processes.push(apiserver);

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: check',
        '    cluster:',
        `      server: https://127.0.0.1:${ports.apiserver}`,
        `      certificate-authority: ${join(certDir, 'apiserver.crt')}`,
        'users:',
        '  - name: check-admin',
        '    user:',
        `      token: ${token}`,
        'contexts:',
        '  - name: check',
        '    context: { cluster: check, user: check-admin }',
        'current-context: check',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const kubectl: ApiServer['kubectl'] = (args, stdin) =>
      new Promise((resolve, reject) => {
        const child = execFile(
          tools.kubectl,
          ['--kubeconfig', kubeconfig, ...args],
          { maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            if (error && typeof error.code !== 'number') reject(new Error(error.message));
            else resolve({ code, stdout, stderr });
          },
        );
        child.stdin?.end(stdin ?? '');
      });
    await waitUntil('kube-apiserver', apiserver, apiLog, async () => {
      const { code, stdout } = await kubectl(['get', '--raw=/readyz']);
      return code === 0 && stdout.trim() === 'ok';
    });
    return { kubeconfig, kubectl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
