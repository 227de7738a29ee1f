#pragma once
// The chat's one web page, served at GET /. The Socket.IO client comes from the socket.io CDN.

inline constexpr const char* chat_page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sio chat</title>
<style>
  body { font: 15px system-ui, sans-serif; max-width: 40em; margin: 2em auto; }
  #log { list-style: none; padding: 0; min-height: 12em; }
  #typing { color: #888; height: 1.2em; }
  input { font: inherit; }
</style>
</head>
<body>
<h1>sio chat</h1>
<p><label>nick <input id="nick" placeholder="guest"></label>
   <label>room <input id="room" value="lobby"></label></p>
<ul id="log"></ul>
<p id="typing"></p>
<form id="form"><input id="text" autocomplete="off" size="50" placeholder="say something"> <button>send</button></form>
<script src="https://cdn.socket.io/4.8.1/socket.io.min.js"></script>
<script>
  const $ = (id) => document.getElementById(id);
  const say = (line) => { const li = document.createElement("li"); li.textContent = line; $("log").append(li); };
  const socket = io();
  let typingTimer;
  socket.on("connect", () => say("connected"));
  socket.on("chat", (m) => say(`${m.from}: ${m.text}`));
  socket.on("joined", (m) => say(`${m.nick} joined ${m.room}`));
  socket.on("left", (m) => say(`${m.nick} left ${m.room}`));
  socket.on("typing", (m) => {
    $("typing").textContent = `${m.from} is typing...`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => ($("typing").textContent = ""), 1500);
  });
  $("nick").onchange = () => socket.emit("nick", $("nick").value, (r) => say(r.ok ? `you are ${r.nick}` : r.error));
  $("room").onchange = () => socket.emit("join", $("room").value, (r) => say(r.ok ? `now in ${r.room}` : r.error));
  $("text").oninput = () => socket.emit("typing");
  $("form").onsubmit = (e) => {
    e.preventDefault();
    const text = $("text").value;
    if (!text) return;
    socket.emit("chat", text, (r) => r.ok && say(`me: ${text}`));
    $("text").value = "";
  };
</script>
</body>
</html>
)html";
