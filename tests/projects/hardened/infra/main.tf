variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "shop" {
  identifier        = "shop"
  engine            = "postgres"
  engine_version    = "16.4"
  instance_class    = "db.t4g.small"
  username          = "shop"
  password          = var.db_password
  storage_encrypted = true
}
