// No bundler: the package's files are loaded as ES modules from node_modules
// (`npm install` installs cors-harness by path, see package.json).
import "./node_modules/cors-harness/panel.js";
