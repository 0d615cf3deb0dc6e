// faceplugin-face-recognition-js lists its own build tools (webpack, jest, babel, eslint) and its browser
// runtime as dependencies. faceindex reads only the model files it ships (face model 8.0's weights), so none of
// those are installed.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === "faceplugin-face-recognition-js") {
        pkg.dependencies = {};
        pkg.devDependencies = {};
      }
      return pkg;
    },
  },
};
