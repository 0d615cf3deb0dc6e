import { describe, expect, it } from "vitest";
import { z } from "zod";
import { unsetIfEmpty } from "../src/unset-if-empty.ts";

describe("unsetIfEmpty", () => {
  const schema = z.object({
    PORT: unsetIfEmpty(z.coerce.number().default(3000)),
    NAME: unsetIfEmpty(z.string().optional()),
  });

  it("takes an empty or blank value for unset: the default applies", () => {
    expect(schema.parse({ PORT: "", NAME: "  " })).toEqual({ PORT: 3000 });
  });

  it("keeps a real value as it is", () => {
    expect(schema.parse({ PORT: "8080", NAME: " kyc " })).toEqual({ PORT: 8080, NAME: " kyc " });
  });

  it("still refuses a bad value", () => {
    expect(schema.safeParse({ PORT: "eighty" }).success).toBe(false);
  });
});
