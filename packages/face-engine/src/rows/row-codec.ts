/**
 * How a vector index lays out its unit descriptors in one byte buffer, row after row, and scores a query
 * against them. The index keeps one buffer of `rowBytes`-sized rows and never looks inside a row itself: the
 * codec writes, reads and scores rows, and says what the approximate graph indexes for each row.
 *
 * Two encodings (a face model names its own, face-models.ts):
 * - "float32" (float32-rows.ts): the descriptor as it is; the graph holds it at half precision.
 * - "int8" (int8-rows.ts): one signed byte a value plus a scale, a quarter of the memory; the graph holds a
 *   128-value sketch of the row.
 */
export type RowEncoding = "float32" | "int8";

export const ROW_ENCODINGS: readonly RowEncoding[] = ["float32", "int8"];

/** What the approximate graph (approximate-graph.ts) stores per row, and how it compares two of them. */
export interface GraphLayout {
  /** Names the layout in saved graphs: a graph saved under another layout is rebuilt, never searched. */
  name: string;
  dimensions: number;
  scalar: "f16" | "i8";
  metric: "ip" | "cos";
}

export interface RowCodec {
  readonly encoding: RowEncoding;
  /** Values per descriptor. */
  readonly length: number;
  /** Bytes per row: a multiple of 4, so float32 parts of every row stay aligned. */
  readonly rowBytes: number;
  readonly graph: GraphLayout;
  /** Stores a unit descriptor as row `row` of `rows` (the buffer's bytes from row 0 on). */
  write(rows: Uint8Array, row: number, unit: Float32Array): void;
  /** Row `row` as a new unit float32 descriptor. */
  read(rows: Uint8Array, row: number): Float32Array;
  /** query . row, summed exactly as dotAll sums it, so both search paths give one face the same score. */
  dot(query: Float32Array, rows: Uint8Array, row: number): number;
  /** query . row for rows first..first+count-1. */
  dotAll(query: Float32Array, rows: Uint8Array, first: number, count: number): Float32Array;
  /** Whether row `row` is stored as write() stores a unit vector (the load-time check of saved rows). */
  isUnit(rows: Uint8Array, row: number): boolean;
  /**
   * Row `row`'s direction from its values alone, whatever else is stored with them (int8 rows' scale), to
   * repair a row that fails isUnit() by writing unitVector(direction) back. Not unit length.
   */
  direction(rows: Uint8Array, row: number): Float32Array;
  /**
   * The graph's vectors for rows first..first+count-1, row-major, as float32: usearch's JavaScript API takes
   * float32 and quantizes to the graph's scalar itself (an Int8Array would be widened and quantized again).
   */
  graphVectors(rows: Uint8Array, first: number, count: number): Float32Array;
  /** The graph's vector for a unit query. */
  graphQuery(query: Float32Array): Float32Array;
}
