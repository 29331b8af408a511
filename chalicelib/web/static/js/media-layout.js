// How each network lays out a post's images in its feed, so the preview crops them the way
// readers will first see them. Pure functions (no DOM): tests/js/media-layout.test.mjs runs
// them under node.
//
// A layout is the box the images fill (`aspect`, width / height) and one cell per shown image
// with its own box, whether the image is cropped to fill it ("cover") or shown whole
// ("contain"), and how many images are not shown in the feed (`more`).

const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

function ratio(image) {
  const width = Number(image && image.width);
  const height = Number(image && image.height);
  return width > 0 && height > 0 ? width / height : 1;
}

// The usual four-up grid: 2 side by side, 3 as one tall cell and two stacked, 4 as 2 x 2.
// Each cell's aspect follows from the box's.
function grid(count, box, fit = "cover") {
  const shown = Math.min(count, 4);
  const cells = [];
  for (let index = 0; index < shown; index += 1) {
    let aspect = box;
    if (shown === 2 || (shown === 3 && index === 0)) aspect = box / 2;
    cells.push({ index, aspect, fit });
  }
  return { kind: "grid", count: shown, aspect: box, cells, more: count - shown };
}

const RULES = {
  // Mastodon's web app (app/javascript/mastodon/components/media_gallery): a 16:9 gallery,
  // one image filling it, 2 side by side, 3 as one tall and two stacked, 4 as 2 x 2; each
  // image cropped to its cell. A post carries at most 4 images.
  mastodon: (images) =>
    images.length === 1
      ? { kind: "single", count: 1, aspect: 16 / 9, cells: [{ index: 0, aspect: 16 / 9, fit: "cover" }], more: 0 }
      : grid(images.length, 16 / 9),
  // X's timeline (media best practices, help.x.com "How to post photos"): a single image in a
  // 16:9 frame, several in a 16:9 grid like Mastodon's, up to 4.
  x: (images) =>
    images.length === 1
      ? { kind: "single", count: 1, aspect: 16 / 9, cells: [{ index: 0, aspect: 16 / 9, fit: "cover" }], more: 0 }
      : grid(images.length, 16 / 9),
  // Bluesky: the post record carries each image's aspectRatio (app.bsky.embed.images) and the
  // app shows a single image at that ratio, uncropped; we cap very tall ones at 1:2, as its
  // feed cuts them off. Several images share a grid (2: side by side, 3, 4: 2 x 2).
  bluesky: (images) => {
    if (images.length === 1) {
      const aspect = clamp(ratio(images[0]), 1 / 2, 4);
      const fit = aspect === ratio(images[0]) ? "contain" : "cover";
      return { kind: "single", count: 1, aspect, cells: [{ index: 0, aspect, fit }], more: 0 };
    }
    return grid(images.length, images.length === 2 ? 2 : 3 / 2);
  },
  // LinkedIn (Help: "Image specifications for posts"): one image between 1.91:1 landscape and
  // 4:5 portrait, cropped beyond; several in a square grid with "+n" over the last.
  linkedin: (images) => feedSingleOrSquare(images),
  // Facebook Page feed (Meta Business Help: "Image ad specifications" and feed photos): the same
  // 1.91:1 to 4:5 window for one image, a square grid of up to 4 with "+n" for more.
  facebook_page: (images) => feedSingleOrSquare(images),
};

function feedSingleOrSquare(images) {
  if (images.length === 1) {
    const own = ratio(images[0]);
    const aspect = clamp(own, 4 / 5, 1.91);
    return { kind: "single", count: 1, aspect, cells: [{ index: 0, aspect, fit: aspect === own ? "contain" : "cover" }], more: 0 };
  }
  return grid(images.length, 1);
}

// Webhook, outbox and anything else: no feed, so every image whole, in order.
function list(images) {
  const cells = images.map((image, index) => ({ index, aspect: ratio(image), fit: "contain" }));
  return { kind: "list", count: images.length, aspect: null, cells, more: 0 };
}

// `images`: [{width, height}, ...] in the post's order.
export function imageLayout(channelType, images) {
  if (!images || images.length === 0) return { kind: "none", count: 0, aspect: null, cells: [], more: 0 };
  const rule = Object.hasOwn(RULES, channelType) ? RULES[channelType] : list;
  return rule(images);
}

// A copy of `items` with the item at `index` moved by `delta` places (clamped to the ends).
export function moveItem(items, index, delta) {
  const copy = [...items];
  if (index < 0 || index >= copy.length) return copy;
  const target = clamp(index + delta, 0, copy.length - 1);
  const [item] = copy.splice(index, 1);
  copy.splice(target, 0, item);
  return copy;
}
