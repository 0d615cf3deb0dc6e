/**
 * Amazon Rekognition's service model (botocore data, Apache-2.0; see NOTICE): the operations, the shape
 * of every input and the constraints the validator enforces. Only the parts we read are typed.
 */
import { readFileSync } from "node:fs";

export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type:
    | "structure"
    | "list"
    | "map"
    | "string"
    | "integer"
    | "long"
    | "float"
    | "double"
    | "boolean"
    | "blob"
    | "timestamp";
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

export interface Operation {
  name: string;
  input?: ShapeRef;
  errors?: ShapeRef[];
}

export interface ServiceModel {
  metadata: { targetPrefix: string; apiVersion: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const modelPath = new URL("../../model/rekognition-2016-06-27.service-model.json", import.meta.url);

export function loadServiceModel(): ServiceModel {
  return JSON.parse(readFileSync(modelPath, "utf8")) as ServiceModel;
}
