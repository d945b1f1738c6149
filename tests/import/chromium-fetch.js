fetch("http://127.0.0.1:9181/cors/permissive/notes", {
  "headers": {
    "accept": "*/*",
    "accept-language": "en-US,en;q=0.9",
    "sec-ch-ua": "\"Chromium\";v=\"156\", \"Not)A;Brand\";v=\"24\"",
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": "\"Linux\"",
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-site"
  },
  "referrer": "http://127.0.0.1:9180/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": null,
  "method": "GET",
  "mode": "cors",
  "credentials": "omit"
}) ;
fetch("http://127.0.0.1:9181/cors/reflect-credentials/notes/1", {
  "headers": {
    "accept": "application/json",
    "accept-language": "en-US,en;q=0.9",
    "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
    "content-type": "application/json",
    "sec-ch-ua": "\"Chromium\";v=\"156\", \"Not)A;Brand\";v=\"24\"",
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-site"
  },
  "referrer": "http://127.0.0.1:9180/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"title\":\"It's a caf\u00e9 \\\"note\\\"\",\"tags\":[\"a\",\"b\"]}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "include"
}) ;
fetch("http://127.0.0.1:9181/cors/exact/notes/1", {
  "headers": {
    "content-type": "application/json",
    "sec-fetch-mode": "cors"
  },
  "referrer": "http://127.0.0.1:9180/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"title\":\"x\"}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "omit"
}) ;
fetch("http://127.0.0.1:9181/cors/none/notes?page=2&q=a%20b", {
  "headers": {
    "accept": "*/*",
    "sec-fetch-mode": "cors"
  },
  "referrer": "http://127.0.0.1:9180/",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": null,
  "method": "GET",
  "mode": "cors",
  "credentials": "omit"
});
