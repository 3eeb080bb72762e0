/**
 * Drives Pulumi's own dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider), the process the
 * engine starts for dynamic resources, over its gRPC ResourceProvider service. Used by the host
 * tests, the lifecycle harness and the demo; everything the host prints is kept for inspection.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";

export type Props = Record<string, unknown>;

export interface CheckFailure {
  property: string;
  reason: string;
}

/** A create or update that failed after the resource came to exist (Pulumi's "partially created"). */
export class InitFailedError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

export interface HostOptions {
  /** Directory the serialized providers resolve `require`s from (the Pulumi project). */
  cwd: string;
  project?: string;
  env?: NodeJS.ProcessEnv;
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;

export class ProviderHost {
  /** Everything the host process wrote to stdout and stderr. */
  output = "";
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
  ) {}

  static async start(options: HostOptions): Promise<ProviderHost> {
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const child = spawn(process.execPath, [entry, "127.0.0.1:1"], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PULUMI_NODEJS_PROJECT: options.project ?? "docspace-offboarding", PULUMI_NODEJS_STACK: "dev" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the provider host did not start in 30 s: ${output}`)), 30_000);
      child.stdout!.on("data", (d: Buffer) => {
        output += d.toString();
        const m = /^(\d+)\s*$/m.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
      child.once("exit", (code) => reject(new Error(`the provider host exited with ${code}: ${output}`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    host.output = output;
    child.stdout!.on("data", (d: Buffer) => (host.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (host.output += d.toString()));
    return host;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }

  /** Kills the host without warning, as an interrupted `pulumi up` would. */
  kill(): void {
    this.client.close();
    this.child.kill("SIGKILL");
  }

  private call<Req, Res>(method: (req: Req, cb: Callback<Res>) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.client, req, (err: grpc.ServiceError | null, value?: Res) => (err ? reject(err) : resolve(value as Res)));
    });
  }

  /** Config keys are namespaced, e.g. {"docspace:url": "...", "docspace:apiKey": "..."}. */
  async configure(config: Record<string, string>): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(structproto.Struct.fromJavaScript(config as Record<string, structproto.JavaScriptValue>));
    await this.call(this.client.configure, req);
  }

  async check(urn: string, olds: Props | undefined, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(struct(olds ?? {}));
    req.setNews(struct(news));
    const res = await this.call<provproto.CheckRequest, provproto.CheckResponse>(this.client.check, req);
    return {
      inputs: (res.getInputs()?.toJavaScript() ?? {}) as Props,
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: "unknown" | "none" | "some"; replaces: string[] }> {
    const req = new provproto.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    const res = await this.call<provproto.DiffRequest, provproto.DiffResponse>(this.client.diff, req);
    const c = res.getChanges();
    return { changes: c === 2 ? "some" : c === 1 ? "none" : "unknown", replaces: res.getReplacesList() };
  }

  async create(urn: string, props: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(struct(props));
    try {
      const res = await this.call<provproto.CreateRequest, provproto.CreateResponse>(this.client.create, req);
      return { id: res.getId(), properties: (res.getProperties()?.toJavaScript() ?? {}) as Props };
    } catch (e) {
      throw initFailure(e);
    }
  }

  async read(urn: string, id: string, props: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(struct(props));
    const res = await this.call<provproto.ReadRequest, provproto.ReadResponse>(this.client.read, req);
    return { id: res.getId(), properties: (res.getProperties()?.toJavaScript() ?? {}) as Props };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
    const req = new provproto.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(struct(olds));
    req.setNews(struct(news));
    try {
      const res = await this.call<provproto.UpdateRequest, provproto.UpdateResponse>(this.client.update, req);
      return { properties: (res.getProperties()?.toJavaScript() ?? {}) as Props };
    } catch (e) {
      throw initFailure(e);
    }
  }

  async delete(urn: string, id: string, props: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(struct(props));
    await this.call(this.client.delete, req);
  }
}

function struct(o: Props): structproto.Struct {
  // Struct cannot hold undefined: drop it as the engine does.
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(o)) as Record<string, structproto.JavaScriptValue>);
}

/** Turns a gRPC error carrying ErrorResourceInitFailed into an InitFailedError. */
function initFailure(e: unknown): Error {
  const err = e as grpc.ServiceError;
  const details = err.metadata?.get("grpc-status-details-bin") ?? [];
  for (const d of details) {
    const status = statusproto.Status.deserializeBinary(d instanceof Buffer ? new Uint8Array(d) : Buffer.from(String(d)));
    for (const any of status.getDetailsList()) {
      if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
      const f = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      return new InitFailedError(err.details || err.message, f.getId(), (f.getProperties()?.toJavaScript() ?? {}) as Props, f.getReasonsList());
    }
  }
  return new Error(err.details || err.message);
}

export function urnFor(type: string, name: string, project = "docspace-offboarding", stack = "dev"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}
