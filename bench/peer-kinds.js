// peer-kinds.js: the peer shapes several case files share: a Node script, and nginx run from the
// config its `prepare` writes (bench/nginx.js).

/** node is the argv that runs a script with this Node. */
export const node = (...args) => [process.execPath, ...args];

/** nginxPeer runs nginx from the config its `prepare` writes into the scratch dir. */
export const nginxPeer = (prepare) => ({
  name: "nginx",
  cmd: ["nginx", "-p", "{scratch}", "-e", "{scratch}/error.log", "-c", "{scratch}/nginx.conf"],
  requires: ["nginx"],
  apt: "nginx-light",
  prepare,
  version: ["nginx", "-v"],
});
