curl 'http://127.0.0.1:9181/cors/permissive/notes' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.9' \
  -H 'Origin: http://127.0.0.1:9180' \
  -H 'Referer: http://127.0.0.1:9180/' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not)A;Brand";v="24"' \
  --compressed ;
curl 'http://127.0.0.1:9181/cors/reflect-credentials/notes/1' \
  -X 'PUT' \
  -H 'Accept: application/json' \
  -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' \
  -H 'Content-Type: application/json' \
  -b 'sid=s%3A42.abc; theme=dark' \
  -H 'Origin: http://127.0.0.1:9180' \
  --data-raw $'{"title":"It\'s a note\u0021\\nline \\"two\\" 100%off","tags":["a","b"]}' \
  --compressed ;
curl 'http://127.0.0.1:9181/cors/exact/notes/1' \
  -X 'PUT' \
  -H 'Content-Type: application/json' \
  -H 'Origin: http://127.0.0.1:9180' \
  --data-raw '{"title":"x"}' \
  --compressed ;
curl 'http://127.0.0.1:9181/cors/none/notes?page=2&q=a%20b' \
  -H 'Accept: */*' \
  -H 'Origin: http://127.0.0.1:9180' \
  --compressed
