// A camera-like JPEG for the photo tests, made here (no downloads, no
// committed binary): the pixels come from Chromium's JPEG encoder (red left
// half, blue right half, some noise so it compresses like a photo), then
// an EXIF block is written in by hand: Orientation = 6 (the camera was
// turned: shown rotated 90° clockwise) and a GPS IFD (latitude N 31° 14').

/** An APP1 EXIF segment, big-endian TIFF. */
export function exifApp1() {
  const t = [];
  const u16 = (n) => t.push((n >> 8) & 255, n & 255);
  const u32 = (n) => t.push((n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255);
  t.push(0x4d, 0x4d, 0x00, 0x2a);
  u32(8);
  // IFD0 at 8: Orientation, GPS pointer (→ 38).
  u16(2);
  u16(0x0112), u16(3), u32(1), u16(6), u16(0);
  u16(0x8825), u16(4), u32(1), u32(38);
  u32(0);
  // GPS IFD at 38: LatitudeRef "N", Latitude (3 rationals at 68).
  u16(2);
  u16(0x0001), u16(2), u32(2), t.push(0x4e, 0, 0, 0);
  u16(0x0002), u16(5), u32(3), u32(68);
  u32(0);
  for (const [n, d] of [[31, 1], [14, 1], [0, 1]]) u32(n), u32(d);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), Buffer.from(t)]);
  const head = Buffer.from([0xff, 0xe1, ((body.length + 2) >> 8) & 255, (body.length + 2) & 255]);
  return Buffer.concat([head, body]);
}

/** `jpeg` with the EXIF segment after its JFIF APP0 segment. */
export function withExif(jpeg) {
  const at = jpeg[2] === 0xff && jpeg[3] === 0xe0 ? 4 + jpeg.readUInt16BE(4) : 2;
  return Buffer.concat([jpeg.subarray(0, at), exifApp1(), jpeg.subarray(at)]);
}

/** A `w`×`h` JPEG made in `page`, with orientation 6 and GPS tags. */
export async function jpegWithExif(page, w, h) {
  const b64 = await page.evaluate(
    async ([w, h]) => {
      const c = new OffscreenCanvas(w, h);
      const g = c.getContext("2d");
      g.fillStyle = "#d01010";
      g.fillRect(0, 0, w / 2, h);
      g.fillStyle = "#1010d0";
      g.fillRect(w / 2, 0, w - w / 2, h);
      const img = g.getImageData(0, 0, w, h);
      let seed = 7;
      for (let i = 0; i < img.data.length; i += 4) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = (seed % 41) - 20;
        img.data[i] = Math.max(0, Math.min(255, img.data[i] + n));
        img.data[i + 1] = Math.max(0, Math.min(255, img.data[i + 1] + n));
        img.data[i + 2] = Math.max(0, Math.min(255, img.data[i + 2] + n));
      }
      g.putImageData(img, 0, 0);
      const blob = await c.convertToBlob({ type: "image/jpeg", quality: 0.92 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    },
    [w, h],
  );
  return withExif(Buffer.from(b64, "base64"));
}
