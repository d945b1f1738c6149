await fetch("http://127.0.0.1:9181/cors/permissive/notes", {
    "credentials": "omit",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.5",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-site",
        "Priority": "u=4"
    },
    "referrer": "http://127.0.0.1:9180/",
    "method": "GET",
    "mode": "cors"
});

await fetch("http://127.0.0.1:9181/cors/reflect-credentials/notes/1", {
    "credentials": "include",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        "Accept": "application/json",
        "Accept-Language": "en-US,en;q=0.5",
        "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "Content-Type": "application/json",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-site",
        "Pragma": "no-cache",
        "Cache-Control": "no-cache"
    },
    "referrer": "http://127.0.0.1:9180/",
    "body": "{\"title\":\"It's a café \\\"note\\\"\",\"tags\":[\"a\",\"b\"]}",
    "method": "PUT",
    "mode": "cors"
});

await fetch("http://127.0.0.1:9181/cors/exact/notes/1", {
    "credentials": "omit",
    "headers": {
        "Content-Type": "application/json",
        "Sec-Fetch-Mode": "cors"
    },
    "referrer": "http://127.0.0.1:9180/",
    "body": "{\"title\":\"x\"}",
    "method": "PUT",
    "mode": "cors"
});

await fetch("http://127.0.0.1:9181/cors/none/notes?page=2&q=a%20b", {
    "credentials": "omit",
    "headers": {
        "Accept": "*/*"
    },
    "referrer": "http://127.0.0.1:9180/",
    "method": "GET",
    "mode": "cors"
});
