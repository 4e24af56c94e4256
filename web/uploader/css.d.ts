// CSS imported for its side effect: esbuild bundles it into assets/uploader.css.
declare module "*.css";
