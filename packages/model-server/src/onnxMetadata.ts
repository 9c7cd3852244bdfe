// Reads ModelProto.metadata_props (field 14, StringStringEntryProto {key = 1, value = 2}) from the
// bytes of an .onnx file. onnxruntime-node does not expose a model's custom metadata, and the server
// may import nothing but node builtins and onnxruntime-node, so this walks the protobuf wire format
// itself: it only reads, skipping every other field by its wire type.

const METADATA_PROPS = 14;
const KEY = 1;
const VALUE = 2;

type Field = { number: number; wireType: number; bytes?: Uint8Array };

function readVarint(buf: Uint8Array, pos: { at: number }): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos.at >= buf.length) throw new Error("truncated varint");
    const byte = buf[pos.at++] ?? 0;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 128;
  }
  throw new Error("varint longer than 10 bytes");
}

function* fields(buf: Uint8Array): Generator<Field> {
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const tag = readVarint(buf, pos);
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0) throw new Error("field number 0");
    switch (wireType) {
      case 0:
        readVarint(buf, pos);
        yield { number, wireType };
        break;
      case 1:
        pos.at += 8;
        yield { number, wireType };
        break;
      case 2: {
        const length = readVarint(buf, pos);
        if (pos.at + length > buf.length) throw new Error("length-delimited field runs past the end");
        yield { number, wireType, bytes: buf.subarray(pos.at, pos.at + length) };
        pos.at += length;
        break;
      }
      case 5:
        pos.at += 4;
        yield { number, wireType };
        break;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
    if (pos.at > buf.length) throw new Error("fixed-width field runs past the end");
  }
}

/**
 * The metadata_props of a serialized ONNX ModelProto, as a map (a later duplicate key wins). Throws
 * on bytes that are not well-formed protobuf.
 */
export function readMetadataProps(model: Uint8Array): Map<string, string> {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const props = new Map<string, string>();
  for (const field of fields(model)) {
    if (field.number !== METADATA_PROPS || field.wireType !== 2 || !field.bytes) continue;
    let key = "";
    let value = "";
    for (const inner of fields(field.bytes)) {
      if (inner.wireType !== 2 || !inner.bytes) continue;
      if (inner.number === KEY) key = utf8.decode(inner.bytes);
      else if (inner.number === VALUE) value = utf8.decode(inner.bytes);
    }
    props.set(key, value);
  }
  return props;
}
