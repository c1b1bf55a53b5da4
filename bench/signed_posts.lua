-- wrk script: cycle through pre-signed POST requests read from a file given after "--".
-- Each line: date <TAB> digest <TAB> signature <TAB> body
local requests = {}
local position = 0

init = function(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local date, digest, signature, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
    requests[#requests + 1] = wrk.format("POST", wrk.path, {
      ["Date"] = date, ["Digest"] = digest, ["Signature"] = signature,
      ["Content-Type"] = "application/activity+json",
    }, body)
  end
  file:close()
end

request = function()
  position = position % #requests + 1
  return requests[position]
end
