/**
 * The Kubernetes manifests, offline: each document against the Kubernetes / KEDA schema of its kind (the
 * kubernetes-models packages), unknown fields through their TypeScript types, then the project's rules: who
 * runs as what, probes, resources, what the autoscalers target, and every variable a container gets being one
 * its app's config schema reads. The KEDA trigger's list is checked against BullMQ itself on the test Redis.
 */
import { existsSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { parse } from "yaml";
import { describe, expect, inject, it } from "vitest";
import { appEnvKeys, AWS_SDK_ENV, type AppName } from "./app-env-keys.ts";
import {
  isModelled,
  MANIFEST_DIR,
  MODELS,
  readManifests,
  type Manifest,
  type ModelKey,
} from "./kubernetes-manifests.ts";
import { manifestTypeErrors } from "./manifest-types.ts";
import { repoPath } from "./repo-root.ts";

const all = readManifests();
const kustomization = all.find((manifest) => manifest.body.kind === "Kustomization")!;
const manifests = all.filter((manifest) => manifest !== kustomization);
const secretTemplate = manifests.find((manifest) => manifest.file === "secret.template.yaml")!;

type Body = Record<string, any>;
function find(kind: string, name: string): Body {
  const found = manifests.find((manifest) => manifest.body.kind === kind && manifest.body.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found.body;
}
const api = find("Deployment", "faceindex-api");
const worker = find("Deployment", "faceindex-worker");
const deployments: Array<[AppName, Body]> = [
  ["api", api],
  ["worker", worker],
];
function configMap(name: string): Record<string, string> {
  return find("ConfigMap", name).data as Record<string, string>;
}
function container(deployment: Body): Body {
  return deployment.spec.template.spec.containers[0];
}
/** The variables a container gets: its env and every key of the ConfigMaps it takes whole. */
function containerEnv(deployment: Body): Record<string, string | { secret: string; key: string }> {
  const result: Record<string, string | { secret: string; key: string }> = {};
  for (const source of container(deployment).envFrom ?? []) Object.assign(result, configMap(source.configMapRef.name));
  for (const entry of container(deployment).env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    result[entry.name] = ref ? { secret: ref.name, key: ref.key } : entry.value;
  }
  return result;
}

describe("Kubernetes manifests: schemas", () => {
  it("are all kinds with a schema here", () => {
    expect(manifests.filter((manifest) => !isModelled(manifest.key)).map((manifest) => manifest.key)).toEqual([]);
  });

  it.each(manifests.map((manifest) => [`${manifest.file} ${manifest.body.kind}`, manifest] as const))(
    "%s validates against its Kubernetes / KEDA schema",
    (_, manifest) => {
      const { model: Model } = MODELS[manifest.key as ModelKey];
      expect(() => new Model(manifest.body as never).validate()).not.toThrow();
    },
  );

  it("have no field the Kubernetes and KEDA types do not know", () => {
    const typed = manifests.filter((manifest): manifest is Manifest & { key: ModelKey } => isModelled(manifest.key));
    expect(manifestTypeErrors(typed)).toEqual([]);
  });

  it("are all in the kustomization, but the Secret template", () => {
    const files = [...new Set(manifests.map((manifest) => manifest.file))].filter(
      (file) => file !== secretTemplate.file,
    );
    expect([...(kustomization.body.resources as string[])].sort()).toEqual(files.sort());
    expect(kustomization.body.namespace).toBe(find("Namespace", "faceindex").metadata.name);
  });
});

describe("Kubernetes manifests: how the pods run", () => {
  it("enforces the restricted Pod Security Standard in the namespace", () => {
    expect(find("Namespace", "faceindex").metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it.each(deployments)("%s runs as the image's non-root user, read-only, with no privileges", (_, deployment) => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const each of pod.containers) {
      expect(each.securityContext, each.name).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      });
      // A read-only root needs somewhere to write temp files.
      expect(each.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    }
  });

  it.each(deployments)("%s has CPU and memory requests and a memory limit", (_, deployment) => {
    const { resources } = container(deployment);
    expect(Object.keys(resources.requests).sort()).toEqual(["cpu", "memory"]);
    expect(resources.limits.memory).toMatch(/^\d+(Mi|Gi)$/);
  });

  it.each(deployments)("%s runs the one image on its app's entry point", (app, deployment) => {
    const { image, args, command } = container(deployment);
    expect(image).toBe("faceindex");
    // args, not command: the image's ENTRYPOINT (node and its flags) stays.
    expect(command).toBeUndefined();
    expect(args).toEqual([`apps/${app}/src/main.ts`]);
    expect(existsSync(repoPath(args[0]))).toBe(true);
    const pinned = (kustomization.body.images as Array<{ name: string; newTag: string }>).find(
      (entry) => entry.name === image,
    );
    expect(pinned?.newTag).toMatch(/^(?!latest$)[\w.-]+$/);
  });

  it("probes the worker on its health port, which its config makes it serve on the pod's interfaces", () => {
    const { livenessProbe, readinessProbe, ports } = container(worker);
    expect(livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(readinessProbe.httpGet).toEqual({ path: "/readyz", port: "health" });
    const workerConfig = configMap("faceindex-worker");
    expect(ports).toContainEqual({ name: "health", containerPort: Number(workerConfig.WORKER_HEALTH_PORT) });
    expect(ports).toContainEqual({ name: "metrics", containerPort: Number(workerConfig.WORKER_METRICS_PORT) });
    expect(workerConfig.WORKER_HEALTH_HOST).toBe("0.0.0.0");
    expect(workerConfig.WORKER_METRICS_HOST).toBe("0.0.0.0");
  });

  it("probes the API: alive on /healthz, ready on /readyz, on the port it listens on", () => {
    const { livenessProbe, readinessProbe, startupProbe, ports } = container(api);
    expect(livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    const env = containerEnv(api);
    expect(ports).toEqual([
      { name: "http", containerPort: Number(env.PORT) },
      { name: "metrics", containerPort: Number(env.METRICS_PORT) },
    ]);
    expect(env.HOST).toBe("0.0.0.0");
    expect(env.METRICS_HOST).toBe("0.0.0.0");
    expect(api.spec.template.metadata.annotations["prometheus.io/port"]).toBe(env.METRICS_PORT);
  });

  it("gives the API longer to stop than its requests may wait", () => {
    const syncTimeoutSeconds = Number(configMap("faceindex-api").SYNC_TIMEOUT_MS) / 1000;
    const preStop = container(api).lifecycle.preStop.sleep.seconds as number;
    expect(api.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(syncTimeoutSeconds + preStop);
  });
});

describe("Kubernetes manifests: scaling and disruption", () => {
  const podLabels = (deployment: Body) => deployment.spec.template.metadata.labels as Record<string, string>;

  it("leaves the replica count to the autoscalers", () => {
    for (const [app, deployment] of deployments) expect(deployment.spec.replicas, app).toBeUndefined();
  });

  it("serves the API pods through the Service on their http port", () => {
    const service = find("Service", "faceindex-api");
    expect(podLabels(api)).toMatchObject(service.spec.selector);
    expect(podLabels(worker)).not.toMatchObject(service.spec.selector);
    expect(service.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http" }]);
    expect(service.spec.type).toBe("ClusterIP");
  });

  it("scales the API between two and more pods, and keeps one through voluntary disruptions", () => {
    const hpa = find("HorizontalPodAutoscaler", "faceindex-api");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "faceindex-api" });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    const pdb = find("PodDisruptionBudget", "faceindex-api");
    expect(podLabels(api)).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });

  it("scales workers on the waiting list of each queue under the configured prefix", () => {
    const scaled = find("ScaledObject", "faceindex-worker");
    expect(scaled.spec.scaleTargetRef).toEqual({ name: worker.metadata.name });
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const prefix = configMap("faceindex-shared").QUEUE_PREFIX;
    const lists = (scaled.spec.triggers as Body[]).map((trigger) => {
      expect(trigger.type).toBe("redis");
      expect(trigger.authenticationRef).toEqual({ name: "faceindex-redis" });
      return trigger.metadata.listName as string;
    });
    expect(lists).toEqual([`${prefix}:index-faces:wait`, `${prefix}:delete-faces:wait`, `${prefix}:search-faces:wait`]);
    // The queue names are the job contract's (read as text: packages/contracts is being reorganised).
    const contracts = readFileSync(repoPath("packages/contracts/src/index-faces.ts"), "utf8");
    expect(contracts).toContain(`"index-faces"`);
  });

  it("is right that BullMQ keeps a queue's waiting jobs in the Redis list KEDA counts", async () => {
    const prefix = `{deploy-${randomUUID().slice(0, 8)}}`;
    const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
    const queue = new Queue("index-faces", { connection: redis, prefix });
    try {
      await queue.addBulk([1, 2, 3].map((n) => ({ name: "index", data: { n } })));
      const key = `${prefix}:index-faces:wait`;
      expect(await redis.type(key)).toBe("list");
      expect(await redis.llen(key)).toBe(await queue.getWaitingCount());
      expect(await redis.llen(key)).toBe(3);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });

  it("authenticates KEDA with keys the Secret template has", () => {
    const auth = find("TriggerAuthentication", "faceindex-redis");
    const keys = Object.keys(secretTemplate.body.stringData);
    expect(auth.spec.secretTargetRef.map((ref: Body) => ref.parameter).sort()).toEqual(["address", "password"]);
    for (const ref of auth.spec.secretTargetRef) {
      expect(ref.name).toBe(secretTemplate.body.metadata.name);
      expect(keys).toContain(ref.key);
    }
  });
});

describe("Kubernetes manifests: configuration", () => {
  it.each(deployments)("%s gets only variables its config schema (or the AWS SDK) reads", (app, deployment) => {
    const allowed = new Set([...appEnvKeys(app), ...(app === "worker" ? AWS_SDK_ENV : [])]);
    expect(allowed.has("REDIS_URL")).toBe(true);
    expect(Object.keys(containerEnv(deployment)).filter((key) => !allowed.has(key))).toEqual([]);
  });

  it("gives api and worker the same Redis, key prefix and collection", () => {
    const [apiEnv, workerEnv] = [containerEnv(api), containerEnv(worker)];
    for (const key of ["REDIS_URL", "QUEUE_PREFIX", "COLLECTION_ID"]) expect(workerEnv[key], key).toEqual(apiEnv[key]);
    expect(apiEnv.REDIS_URL).toEqual({ secret: "faceindex-secrets", key: "REDIS_URL" });
  });

  it("takes secrets from the Secret only, and the template holds no real value", () => {
    for (const [, deployment] of deployments) {
      for (const [key, value] of Object.entries(containerEnv(deployment))) {
        if (typeof value === "string") expect(key).not.toMatch(/SECRET|PASSWORD|TOKEN/);
        else
          expect(
            Object.keys(secretTemplate.body.stringData).concat("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
          ).toContain(value.key);
      }
    }
    for (const [key, value] of Object.entries(secretTemplate.body.stringData as Record<string, string>)) {
      expect(value, key).toContain("REPLACE_ME");
    }
    // The commented AWS keys are the optional ones the worker refers to.
    const text = readFileSync(repoPath(`${MANIFEST_DIR}/${secretTemplate.file}`), "utf8");
    expect(text).toMatch(/# AWS_ACCESS_KEY_ID: REPLACE_ME/);
    expect(parse(text).stringData.AWS_ACCESS_KEY_ID).toBeUndefined();
  });
});
