/**
 * The manifests under deploy/kubernetes, each paired with its model from kubernetes-models /
 * @kubernetes-models/keda (classes generated from the Kubernetes OpenAPI spec and KEDA's CRDs, whose
 * validate() runs that schema).
 */
import { readdirSync, readFileSync } from "node:fs";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { parseAllDocuments } from "yaml";
import { repoPath } from "./repo-root.ts";

export const MANIFEST_DIR = "deploy/kubernetes";

/** apiVersion/kind -> the model class and the name of its TypeScript interface (for manifest-types.ts). */
export const MODELS = {
  "v1/ConfigMap": { model: ConfigMap, module: "kubernetes-models/v1/ConfigMap", type: "IConfigMap" },
  "v1/Namespace": { model: Namespace, module: "kubernetes-models/v1/Namespace", type: "INamespace" },
  "v1/Secret": { model: Secret, module: "kubernetes-models/v1/Secret", type: "ISecret" },
  "v1/Service": { model: Service, module: "kubernetes-models/v1/Service", type: "IService" },
  "v1/ServiceAccount": {
    model: ServiceAccount,
    module: "kubernetes-models/v1/ServiceAccount",
    type: "IServiceAccount",
  },
  "apps/v1/Deployment": { model: Deployment, module: "kubernetes-models/apps/v1/Deployment", type: "IDeployment" },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    model: HorizontalPodAutoscaler,
    module: "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    type: "IHorizontalPodAutoscaler",
  },
  "policy/v1/PodDisruptionBudget": {
    model: PodDisruptionBudget,
    module: "kubernetes-models/policy/v1/PodDisruptionBudget",
    type: "IPodDisruptionBudget",
  },
  "keda.sh/v1alpha1/ScaledObject": {
    model: ScaledObject,
    module: "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject",
    type: "IScaledObject",
  },
  "keda.sh/v1alpha1/TriggerAuthentication": {
    model: TriggerAuthentication,
    module: "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication",
    type: "ITriggerAuthentication",
  },
} as const;

export type ModelKey = keyof typeof MODELS;

export interface Manifest {
  file: string;
  key: string;
  // Manifests are plain YAML data; tests read fields by path and the models check their shapes.
  body: Record<string, any>;
}

/** Every document of every .yaml file in deploy/kubernetes (the kustomization included). */
export function readManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of readdirSync(repoPath(MANIFEST_DIR)).filter((name) => name.endsWith(".yaml"))) {
    for (const document of parseAllDocuments(readFileSync(repoPath(`${MANIFEST_DIR}/${file}`), "utf8"))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.join("; ")}`);
      const body = document.toJS() as Manifest["body"];
      manifests.push({ file, key: `${body.apiVersion}/${body.kind}`, body });
    }
  }
  return manifests;
}

export function isModelled(key: string): key is ModelKey {
  return key in MODELS;
}
