// Stands in for `exifr` in the uploader bundle (scripts/build-web.ts aliases
// it here). Uppy's thumbnail generator imports exifr to read a photo's
// orientation, but the uploader page runs with thumbnails off
// (`disableThumbnailGenerator`: generating them needs `blob:` fetches the
// page's CSP refuses), so the ~27 KiB library would never run. If it ever
// does, "no rotation" is the same answer exifr gives a file without EXIF.
export async function rotation(): Promise<undefined> {
	return undefined;
}
