locals {
  policy = <<EOT
{"Version": "2012-10-17"}
EOT
  script = <<-EOS
    echo hi
    EOS
  open = <<NEVER
not closed
}
