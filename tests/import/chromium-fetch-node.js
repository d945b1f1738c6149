fetch("http://127.0.0.1:9181/cors/reflect-credentials/notes/1", {
  "headers": {
    "accept": "application/json",
    "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
    "content-type": "application/json",
    "sec-fetch-mode": "cors",
    "cookie": "sid=s%3A42.abc; theme=dark",
    "Referer": "http://127.0.0.1:9180/",
    "Referrer-Policy": "strict-origin-when-cross-origin"
  },
  "body": "{\"title\":\"x\"}",
  "method": "PUT"
});
