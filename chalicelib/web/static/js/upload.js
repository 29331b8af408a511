// One image from the writer's device to a ready media object: announce it to the API, send the
// bytes straight to the bucket with the presigned POST (a Lambda cannot take request bodies of
// that size), then ask the API to check what arrived. XMLHttpRequest rather than fetch: only it
// reports upload progress.

import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";

export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"];

// `onProgress(phase, fraction)`: phase "uploading" (fraction 0..1) then "checking".
// Resolves with the media object; rejects with an ApiError whose message is for the writer.
// `handle.abort()` stops it (the promise then rejects with code "aborted").
export function uploadImage(file, onProgress, handle = {}) {
  let aborted = false;
  let request = null;
  handle.abort = () => {
    aborted = true;
    if (request) request.abort();
  };
  const stop = () => new ApiError(0, "", "aborted");
  return (async () => {
    if (!ACCEPTED_TYPES.includes(file.type)) {
      throw new ApiError(422, t("media.wrongType", { name: file.name || "" }), "media_type");
    }
    onProgress("uploading", 0);
    const created = await api.createMedia({ filename: file.name || "image", content_type: file.type, size: file.size });
    if (aborted) throw stop();
    await new Promise((resolve, reject) => {
      request = new XMLHttpRequest();
      request.open("POST", created.upload.url);
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress("uploading", event.loaded / event.total);
      };
      request.onload = () => {
        if (request.status >= 200 && request.status < 300) resolve();
        else reject(new ApiError(request.status, bucketRefusal(request.responseText), "upload"));
      };
      request.onerror = () => reject(new ApiError(0, t("media.uploadNetwork"), "network"));
      request.onabort = () => reject(stop());
      const form = new FormData();
      for (const [name, value] of Object.entries(created.upload.fields || {})) form.append(name, value);
      form.append("file", file); // S3 reads every field before the file: it must come last
      request.send(form);
    });
    if (aborted) throw stop();
    onProgress("checking", 1);
    return api.completeMedia(created.id);
  })();
}

// S3 answers in XML; only its code says anything a writer can act on.
function bucketRefusal(body) {
  const code = /<Code>([^<]+)<\/Code>/.exec(String(body || ""));
  if (code && code[1] === "EntityTooLarge") return t("media.uploadTooLarge");
  if (code && (code[1] === "AccessDenied" || code[1] === "ExpiredToken")) return t("media.uploadExpired");
  return t("media.uploadFailed");
}

// The files among what was dropped or pasted (text and links are left to the text field); a
// file that is no image is refused by uploadImage with a message beside it.
export function transferredFiles(dataTransfer) {
  if (!dataTransfer) return [];
  const files = [...(dataTransfer.files || [])];
  if (!files.length && dataTransfer.items) {
    for (const item of dataTransfer.items) {
      if (item.kind === "file") {
        const file = item.getAsFile();
        if (file) files.push(file);
      }
    }
  }
  return files;
}
